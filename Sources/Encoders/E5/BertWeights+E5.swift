extension BertWeights {
    /// The weights of an `E5S1` file: the word-embedding table stays 4-bit (rows are
    /// dequantized as texts use them); the layers' matrices are dequantized once, here,
    /// with query, key and value stacked into one matrix, and their 4-bit pages released.
    ///
    /// - Throws: ``ModelFileError`` naming the first missing, mistyped or misshapen tensor.
    init(e5File file: E5ModelFile, configuration: BertConfiguration) throws {
        let hidden = configuration.hiddenSize
        let intermediate = configuration.intermediateSize

        func vector(_ name: String, _ count: Int) throws -> FloatTensor {
            try file.floatTensor(name, shape: [count])
        }
        func norm(_ prefix: String) throws -> Norm {
            Norm(weight: try vector(prefix + ".w", hidden), bias: try vector(prefix + ".b", hidden))
        }
        func linear(_ prefix: String, outputs: Int, inputs: Int) throws -> Linear {
            let matrix = try file.quantizedMatrix(prefix + ".w", rows: outputs, columns: inputs)
            defer { file.mapping.discard(matrix.byteRange) }
            return Linear(weight: matrix.dequantized(), bias: try vector(prefix + ".b", outputs))
        }

        let layers = try (0..<configuration.layerCount).map { index in
            let prefix = "l\(index)."
            let names = ["q", "k", "v"].map { prefix + $0 }
            let matrices = try names.map { try file.quantizedMatrix($0 + ".w", rows: hidden, columns: hidden) }
            defer { matrices.forEach { file.mapping.discard($0.byteRange) } }
            let biases = try names.map { try vector($0 + ".b", hidden) }
            return Layer(
                queryKeyValue: Linear(
                    weight: QuantizedMatrix.dequantized(stacking: matrices, name: prefix + "{q,k,v}.w"),
                    bias: FloatTensor(stacking: biases, name: prefix + "{q,k,v}.b")
                ),
                attentionOutput: try linear(prefix + "ao", outputs: hidden, inputs: hidden),
                attentionNorm: try norm(prefix + "aln"),
                intermediate: try linear(prefix + "fi", outputs: intermediate, inputs: hidden),
                output: try linear(prefix + "fo", outputs: hidden, inputs: intermediate),
                outputNorm: try norm(prefix + "oln")
            )
        }
        self.init(
            wordEmbeddings: .quantized(try file.quantizedMatrix("emb.word", rows: configuration.vocabularySize, columns: hidden)),
            positionEmbeddings: try file.floatTensor("emb.pos", shape: [configuration.maximumPositions, hidden]),
            tokenTypeEmbeddings: try file.floatTensor("emb.type", shape: [configuration.tokenTypeCount, hidden]),
            embeddingNorm: try norm("emb.ln"),
            layers: layers
        )
    }
}
