/// How the columns of a TSV file map onto a ``Document``.
///
/// One column holds the document id, one or more columns hold its text, and every other
/// column becomes a metadata field. Metadata columns are `.string` unless ``fieldTypes``
/// says otherwise.
///
/// ```swift
/// // A file without a header row, columns id, title, text:
/// let schema = TSVSchema(columns: ["id", "title", "text"], textColumns: ["title", "text"])
///
/// // A file whose first row names the columns, with typed metadata:
/// let typed = TSVSchema(fieldTypes: ["year": .int, "price": .double, "tags": .strings])
/// ```
public struct TSVSchema: Sendable, Hashable {
    /// The column names in file order, or `nil` when the first row of the file is a header
    /// naming the columns.
    ///
    /// Header names are trimmed of surrounding spaces; names must be non-empty and unique.
    public var columns: [String]?

    /// The column holding each document's id (default `"id"`).
    public var idColumn: String

    /// The columns whose cells form each document's text (default `["text"]`).
    ///
    /// The non-empty cells of these columns, in this order, are joined with
    /// ``textSeparator``; for example `["title", "text"]` gives `title + "\n" + text`, or just
    /// the one that is present when the other cell is empty.
    public var textColumns: [String]

    /// The type of each metadata column that is not a plain `.string`.
    ///
    /// A header cell may also declare its column's type as `name:type` (`year:int`,
    /// `tags:strings`; the types are ``ValueType``'s raw values), as `quiver export` writes
    /// them; the column is then called `name`. A type given here must agree with the header's.
    ///
    /// Cells are parsed as follows (surrounding spaces are ignored for every type but `.string`):
    /// - `.int`: a 64-bit signed decimal integer, e.g. `2024` or `-7`.
    /// - `.double`: a finite decimal number, e.g. `3.5` or `1e-3`.
    /// - `.bool`: `true`/`false`, `yes`/`no` or `1`/`0`, in any letter case.
    /// - `.strings`: the cell split on `,`, each part trimmed of surrounding white space,
    ///   empty parts dropped (`"spicy, vegetarian,"` gives `["spicy", "vegetarian"]`).
    /// - `.string`: the cell exactly as written.
    ///
    /// An empty cell (or, for `.strings`, one with no non-empty part) leaves the field absent
    /// from that document. Only metadata columns may be listed here.
    public var fieldTypes: [String: ValueType]

    /// The string placed between the non-empty text cells when ``textColumns`` names several
    /// columns (default `"\n"`).
    public var textSeparator: String

    /// Whether cells hold backslash escapes (``TSVEscaping``): `\t`, `\n`, `\r`, `\\`, and
    /// `\,` for a comma inside a tag. `quiver export` writes them, so that texts holding tabs
    /// and line breaks survive the round trip. Default `false`: cells are taken as written.
    public var escapes: Bool

    /// Creates a schema.
    ///
    /// - Parameters:
    ///   - columns: The column names in file order, or `nil` (the default) to read them from
    ///     the file's first row.
    ///   - idColumn: The column holding the document id.
    ///   - textColumns: The columns forming the document text, joined with `textSeparator`.
    ///   - fieldTypes: The types of metadata columns that are not `.string`.
    ///   - textSeparator: The separator between non-empty text cells.
    public init(
        columns: [String]? = nil,
        idColumn: String = "id",
        textColumns: [String] = ["text"],
        fieldTypes: [String: ValueType] = [:],
        textSeparator: String = "\n",
        escapes: Bool = false
    ) {
        self.columns = columns
        self.idColumn = idColumn
        self.textColumns = textColumns
        self.fieldTypes = fieldTypes
        self.textSeparator = textSeparator
        self.escapes = escapes
    }
}
