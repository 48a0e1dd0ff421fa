import Foundation
import XCTest
@testable import Encoders

/// The `E5S1` loader on small synthetic files and on cut copies of the real one: every
/// malformed or truncated file gives a ``ModelFileError`` naming what is wrong, never a crash;
/// and the Q4_0 dequantization is exact.
final class E5ModelFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("quiver-e5-file-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes `data` to a file in the test folder, returning its path.
    private func write(_ data: Data, name: String = "model.bin") throws -> String {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    /// Parses `data` as an `E5S1` file, returning the error it gives.
    private func error(parsing data: Data, file: StaticString = #filePath, line: UInt = #line) throws -> ModelFileError? {
        let path = try write(data)
        do {
            _ = try E5ModelFile(path: path)
            XCTFail("expected an error", file: file, line: line)
            return nil
        } catch let error as ModelFileError {
            XCTAssertTrue("\(error)".contains(path), "\(error)", file: file, line: line)
            return error
        }
    }

    // MARK: - A well-formed synthetic file

    func testSyntheticFileParses() throws {
        let synthetic = SyntheticE5File()
        let file = try E5ModelFile(path: try write(synthetic.data()))
        XCTAssertEqual(file.header.configuration.hiddenSize, 32)
        XCTAssertEqual(file.header.configuration.layerCount, 1)
        XCTAssertEqual(file.vocabulary.count, synthetic.pieces.count)
        XCTAssertEqual(file.normalization.count, 2)
        XCTAssertEqual(file.tensors.count, synthetic.tensors.count)
        let weights = try BertWeights(e5File: file, configuration: file.header.configuration)
        XCTAssertEqual(weights.layers.count, 1)
        XCTAssertEqual(weights.layers[0].queryKeyValue.weight.shape, [96, 32])
        XCTAssertEqual(weights.wordEmbeddings.rows, 8)

        let tokenizer = SentencePieceTokenizer(vocabulary: file.vocabulary, normalization: file.normalization, maximumLength: 6)
        // Pieces: <s> <pad> </s> <unk> ▁ab ▁a b ▁ ; "ab" → ▁ab, "ba" → ▁ b <unk>
        XCTAssertEqual(tokenizer.tokenize("ab"), [0, 4, 2])
        XCTAssertEqual(tokenizer.tokenize("ＡＢ"), [0, 7, 3, 2], "Ａ→A by the table; A and Ｂ are no pieces and fuse into one <unk>")
        XCTAssertEqual(tokenizer.tokenize("a\u{3000}ab"), [0, 5, 4, 2])
        XCTAssertEqual(tokenizer.tokenize("ba"), [0, 7, 6, 3, 2])
        XCTAssertEqual(tokenizer.tokenize("ab ab ab ab ab"), [0, 4, 4, 4, 4, 2], "cut to 6 ids")
    }

    func testEncoderRefusesAnotherArchitecture() throws {
        let path = directory.appendingPathComponent("e5-small-q4.bin").path
        try SyntheticE5File().data().write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try E5Encoder(modelDirectory: directory)) { error in
            XCTAssertEqual(error as? ModelFileError, .configurationMismatch(path: path, key: "hidden_size", expected: "384", found: "32"))
        }
    }

    // MARK: - Malformed files

    func testBadMagicIsRejected() throws {
        var data = SyntheticE5File().data()
        data.replaceSubrange(0..<4, with: Array("GGUF".utf8))
        XCTAssertEqual(try error(parsing: data), .badMagic(path: directory.appendingPathComponent("model.bin").path, expected: "E5S1", found: Array("GGUF".utf8)))
        XCTAssertEqual(try error(parsing: Data("E5".utf8)), .badMagic(path: directory.appendingPathComponent("model.bin").path, expected: "E5S1", found: Array("E5".utf8)))
    }

    func testOtherVersionIsRejected() throws {
        var synthetic = SyntheticE5File()
        synthetic.version = 2
        XCTAssertEqual(try error(parsing: synthetic.data()), .unsupportedVersion(path: directory.appendingPathComponent("model.bin").path, version: 2, supported: 1))
    }

    func testEveryTruncationIsATypedError() throws {
        let data = SyntheticE5File().data()
        var kinds: Set<String> = []
        // Every cut inside the header, tokenizer and directory, and some inside the tensor data.
        let cuts = Array(1..<SyntheticE5File().dataStart) + stride(from: SyntheticE5File().dataStart, to: data.count, by: 97).map { $0 }
        for cut in cuts {
            let path = try write(data.prefix(cut))
            do {
                let file = try E5ModelFile(path: path)
                _ = try BertWeights(e5File: file, configuration: file.header.configuration)
                XCTFail("a file cut at \(cut) of \(data.count) bytes was accepted")
            } catch let error as ModelFileError {
                switch error {
                case .truncatedField(_, let field, _, let size):
                    XCTAssertEqual(size, cut)
                    kinds.insert("field " + field)
                case .tensorOutOfBounds(_, let tensor, _, _, let size):
                    XCTAssertEqual(size, cut)
                    kinds.insert("tensor " + tensor)
                case .badMagic:
                    XCTAssertLessThan(cut, 4)
                default:
                    XCTFail("cut at \(cut): unexpected \(error)")
                }
            }
        }
        for field in ["format version", "hidden size", "piece count", "piece offsets", "piece scores", "piece bytes",
                      "normalisation table", "tensor count", "tensor name"] {
            XCTAssertTrue(kinds.contains("field " + field), "no cut reported \(field): \(kinds.sorted())")
        }
        XCTAssertTrue(kinds.contains("tensor l0.oln.b"), "\(kinds.sorted())")
    }

    func testMalformedFieldsAreNamed() throws {
        func field(of error: ModelFileError?) -> String? {
            if case .malformedField(_, let field, _, _)? = error { return field }
            return nil
        }
        var synthetic = SyntheticE5File()
        synthetic.headCount = 5
        XCTAssertEqual(field(of: try error(parsing: synthetic.data())), "attention head count")

        synthetic = SyntheticE5File()
        synthetic.blockSize = 64
        XCTAssertEqual(field(of: try error(parsing: synthetic.data())), "quantisation block size")

        synthetic = SyntheticE5File()
        synthetic.epsilon = -1
        XCTAssertEqual(field(of: try error(parsing: synthetic.data())), "LayerNorm epsilon")

        synthetic = SyntheticE5File()
        synthetic.hiddenSize = -384
        XCTAssertEqual(field(of: try error(parsing: synthetic.data())), "hidden size")

        synthetic = SyntheticE5File()
        synthetic.specialIDs = [0, 2, 1, 99]
        XCTAssertEqual(field(of: try error(parsing: synthetic.data())), "<unk> id")

        synthetic = SyntheticE5File()
        synthetic.pieceOffsetChange = (3, 1000)
        XCTAssertEqual(field(of: try error(parsing: synthetic.data())), "piece offsets")

        synthetic = SyntheticE5File()
        synthetic.normalization = [(0x3000, [0x20]), (0x20, [0x20])]
        XCTAssertEqual(field(of: try error(parsing: synthetic.data())), "normalisation entry")

        synthetic = SyntheticE5File()
        synthetic.normalization = [(0xD800, [0x20])]
        XCTAssertEqual(field(of: try error(parsing: synthetic.data())), "normalisation entry")

        synthetic = SyntheticE5File()
        synthetic.normalization = [(0x41, [0xD800])]
        XCTAssertEqual(field(of: try error(parsing: synthetic.data())), "normalisation replacement")

        synthetic = SyntheticE5File()
        synthetic.normalizationByteCountChange = 4
        XCTAssertEqual(field(of: try error(parsing: synthetic.data())), "normalisation table size")

        synthetic = SyntheticE5File()
        synthetic.tensors.append(synthetic.tensors[0])
        XCTAssertEqual(field(of: try error(parsing: synthetic.data())), "tensor directory")
    }

    func testMalformedTensorsAreNamed() throws {
        let path = directory.appendingPathComponent("model.bin").path
        var synthetic = SyntheticE5File()
        synthetic.dataTypeOverride = ("l0.fi.w", 7)
        XCTAssertEqual(try error(parsing: synthetic.data()), .unknownDataType(path: path, tensor: "l0.fi.w", dataType: "7 (at byte \(synthetic.dataTypeOffset(of: "l0.fi.w")))"))

        synthetic = SyntheticE5File()
        synthetic.sizeChange = ("emb.pos", 4)
        guard case .malformedTensor(_, "emb.pos", _)? = try error(parsing: synthetic.data()) else { return XCTFail() }

        synthetic = SyntheticE5File()
        synthetic.offsetOverride = ("emb.word", 1 << 40)
        guard case .tensorOutOfBounds(_, "emb.word", _, _, _)? = try error(parsing: synthetic.data()) else { return XCTFail() }

        // Well-formed entries that do not fit the architecture.
        func weightsError(_ synthetic: SyntheticE5File) throws -> ModelFileError? {
            let file = try E5ModelFile(path: try write(synthetic.data()))
            do {
                _ = try BertWeights(e5File: file, configuration: file.header.configuration)
                XCTFail("expected an error")
                return nil
            } catch let error as ModelFileError {
                return error
            }
        }
        synthetic = SyntheticE5File()
        synthetic.tensors.removeAll { $0.name == "l0.aln.b" }
        XCTAssertEqual(try weightsError(synthetic), .missingTensor(path: path, tensor: "l0.aln.b"))

        synthetic = SyntheticE5File()
        synthetic.tensors = synthetic.tensors.map { $0.name == "l0.q.w" ? .init(name: "l0.q.w", quantized: false, count: 32 * 32) : $0 }
        XCTAssertEqual(try weightsError(synthetic), .wrongDataType(path: path, tensor: "l0.q.w", expected: "Q4_0", found: "f32"))

        synthetic = SyntheticE5File()
        synthetic.tensors = synthetic.tensors.map { $0.name == "l0.fo.w" ? .init(name: "l0.fo.w", quantized: true, count: 32 * 64) : $0 }
        XCTAssertEqual(try weightsError(synthetic), .wrongShape(path: path, tensor: "l0.fo.w", expected: [32, 32], found: [2048]))
    }

    func testCutCopiesOfTheRealModelNameWhatIsMissing() throws {
        let real = ModelLocation.multilingualE5Small.appendingPathComponent(E5Encoder.fileName)
        let data = try Data(contentsOf: real, options: .alwaysMapped)
        XCTAssertEqual(data.count, 71_622_400, "run tools/fetch-model e5")
        // Inside the pieces, then inside the tensor data (the word table is first).
        guard case .truncatedField(_, "piece bytes", _, 3_000_000)? = try error(parsing: data.prefix(3_000_000)) else { return XCTFail() }
        guard case .tensorOutOfBounds(_, let tensor, _, _, 60_000_000)? = try error(parsing: data.prefix(60_000_000)) else { return XCTFail() }
        XCTAssertFalse(tensor.isEmpty)
    }

    // MARK: - Q4_0

    func testHalfToFloatConversionIsExact() {
        for bits in UInt16.min...UInt16.max {
            let converted = Q4Block.float(halfBits: bits)
            #if !(os(macOS) && arch(x86_64))
            let expected = Float(Float16(bitPattern: bits))
            if expected.isNaN {
                XCTAssertTrue(converted.isNaN)
            } else {
                XCTAssertEqual(converted.bitPattern, expected.bitPattern, "half \(bits)")
            }
            #endif
        }
        XCTAssertEqual(Q4Block.float(halfBits: 0x3C00), 1)
        XCTAssertEqual(Q4Block.float(halfBits: 0xC000), -2)
        XCTAssertEqual(Q4Block.float(halfBits: 0x0001), 0x1p-24)
        XCTAssertEqual(Q4Block.float(halfBits: 0x7C00), .infinity)
    }

    func testBlocksDequantizeLowNibblesFirst() {
        // d = 0.5; byte j = (j) | (15 − j) << 4 → element j = (j − 8)/2, element j+16 = (7 − j)/2.
        var block: [UInt8] = [0x00, 0x38]
        block += (0..<16).map { UInt8($0) | UInt8(15 - $0) << 4 }
        var output = [Float](repeating: .nan, count: 32)
        block.withUnsafeBytes { bytes in
            output.withUnsafeMutableBufferPointer { target in
                Q4Block.dequantize(bytes.baseAddress!, blockCount: 1, into: target.baseAddress!)
            }
        }
        XCTAssertEqual(output, (0..<16).map { Float($0 - 8) * 0.5 } + (0..<16).map { Float(7 - $0) * 0.5 })
    }
}

/// A small, well-formed `E5S1` file (hidden 32, 1 layer, 1 head, intermediate 32, 8 pieces)
/// with knobs to break it in one place.
private struct SyntheticE5File {
    struct Tensor {
        var name: String
        var quantized: Bool
        var count: Int
    }

    var version: UInt32 = 1
    var hiddenSize: Int32 = 32
    var headCount: Int32 = 1
    var epsilon: Float = 1e-12
    var blockSize: Int32 = 32
    var specialIDs: [Int32] = [0, 2, 1, 3]
    var pieces = ["<s>", "<pad>", "</s>", "<unk>", "▁ab", "▁a", "b", "▁"]
    var normalization: [(UInt32, [UInt32])] = [(0x3000, [0x20]), (0xFF21, [0x41])]
    var normalizationByteCountChange = 0
    var pieceOffsetChange: (index: Int, value: UInt32)?
    var dataTypeOverride: (name: String, type: UInt8)?
    var sizeChange: (name: String, delta: Int)?
    var offsetOverride: (name: String, offset: UInt64)?
    var tensors: [Tensor] = {
        var list = [
            Tensor(name: "emb.word", quantized: true, count: 8 * 32), Tensor(name: "emb.pos", quantized: false, count: 8 * 32),
            Tensor(name: "emb.type", quantized: false, count: 2 * 32),
            Tensor(name: "emb.ln.w", quantized: false, count: 32), Tensor(name: "emb.ln.b", quantized: false, count: 32),
        ]
        for name in ["q", "k", "v", "ao", "fi", "fo"] {
            list.append(Tensor(name: "l0.\(name).w", quantized: true, count: 32 * 32))
            list.append(Tensor(name: "l0.\(name).b", quantized: false, count: 32))
        }
        for name in ["aln", "oln"] {
            list.append(Tensor(name: "l0.\(name).w", quantized: false, count: 32))
            list.append(Tensor(name: "l0.\(name).b", quantized: false, count: 32))
        }
        return list
    }()

    /// The file up to the end of the tensor directory.
    private func tablesAndDirectory(dataOffsets: [UInt64]) -> Data {
        var data = Data("E5S1".utf8)
        data.append(le(version))
        for value in [hiddenSize, 1, headCount, 32, 8, 8, 2] { data.append(le(value)) }
        data.append(le(epsilon.bitPattern))
        data.append(le(blockSize))
        data.append(le(Int32(pieces.count)))
        for id in specialIDs { data.append(le(id)) }
        let blob = pieces.flatMap { Array($0.utf8) }
        data.append(le(UInt64(blob.count)))
        var offset: UInt32 = 0
        var offsets: [UInt32] = [0]
        for piece in pieces {
            offset += UInt32(piece.utf8.count)
            offsets.append(offset)
        }
        if let change = pieceOffsetChange { offsets[change.index] = change.value }
        for value in offsets { data.append(le(value)) }
        for (index, _) in pieces.enumerated() { data.append(le(Float(index < 4 ? 0 : -Float(index)).bitPattern)) }
        data.append(contentsOf: blob)
        data.append(le(Int32(normalization.count)))
        var entries = Data()
        for (key, value) in normalization {
            entries.append(le(key))
            entries.append(UInt8(value.count))
            for scalar in value { entries.append(le(scalar)) }
        }
        data.append(le(UInt32(entries.count + normalizationByteCountChange)))
        data.append(entries)
        data.append(le(Int32(tensors.count)))
        for (tensor, dataOffset) in zip(tensors, dataOffsets) {
            data.append(le(UInt16(tensor.name.utf8.count)))
            data.append(contentsOf: Array(tensor.name.utf8))
            data.append(dataTypeOverride?.name == tensor.name ? dataTypeOverride?.type ?? 0 : (tensor.quantized ? 1 : 0))
            data.append(le(UInt32(tensor.count)))
            data.append(le(offsetOverride?.name == tensor.name ? offsetOverride?.offset ?? 0 : dataOffset))
            data.append(le(UInt64(byteCount(tensor) + (sizeChange?.name == tensor.name ? sizeChange?.delta ?? 0 : 0))))
        }
        return data
    }

    private func byteCount(_ tensor: Tensor) -> Int {
        tensor.quantized ? tensor.count / 32 * 18 : tensor.count * 4
    }

    /// Where the tensor data starts.
    var dataStart: Int {
        let length = tablesAndDirectory(dataOffsets: Array(repeating: 0, count: tensors.count)).count
        return (length + 63) / 64 * 64
    }

    /// The tensors' data offsets (each a multiple of 64).
    private var dataOffsets: [UInt64] {
        var offset = dataStart
        return tensors.map { tensor in
            defer { offset = (offset + byteCount(tensor) + 63) / 64 * 64 }
            return UInt64(offset)
        }
    }

    /// The byte offset of `name`'s data-type field in the directory.
    func dataTypeOffset(of name: String) -> Int {
        let data = tablesAndDirectory(dataOffsets: dataOffsets)
        let needle = Data([UInt8(name.utf8.count), 0]) + Data(name.utf8)
        guard let range = data.range(of: needle) else { return -1 }
        return range.upperBound
    }

    /// The whole file: tensor data are small deterministic values (Q4 blocks with scale 1/64).
    func data() -> Data {
        let offsets = dataOffsets
        var data = tablesAndDirectory(dataOffsets: offsets)
        for (tensor, offset) in zip(tensors, offsets) {
            data.append(Data(count: Int(offset) - data.count))
            if tensor.quantized {
                for block in 0..<tensor.count / 32 {
                    data.append(le(UInt16(0x2400)))
                    data.append(contentsOf: (0..<16).map { UInt8(truncatingIfNeeded: block &+ $0 &* 37) })
                }
            } else {
                for index in 0..<tensor.count { data.append(le((Float(index % 7) * 0.125).bitPattern)) }
            }
        }
        return data
    }

    private func le<T: FixedWidthInteger>(_ value: T) -> Data {
        withUnsafeBytes(of: value.littleEndian) { Data($0) }
    }
}
