/// The reusable buffers one thread needs to encode texts with ``HashingEncoder``.
struct EncodingWorkspace {
    /// Normalizes and tokenizes text into feature hashes.
    var extractor = FeatureExtractor()
    /// Counts the feature hashes.
    var counter = FeatureCounter()

    /// Creates a workspace with empty buffers.
    init() {}
}
