extension EncoderDescriptor {
    /// Throws unless this descriptor names encoder family `kind` with model `model` (the
    /// `"model"` parameter): the first check when rebuilding a BERT encoder from a store.
    func requireModel(kind: String, model: String) throws {
        guard self.kind == kind else { throw EncoderError.kindMismatch(expected: kind, found: self.kind) }
        let recorded = parameters["model"] ?? "(none)"
        guard recorded == model else {
            throw EncoderError.kindMismatch(expected: "\(kind) \(model)", found: "\(self.kind) \(recorded)")
        }
    }

    /// Throws unless `built`, the descriptor of the encoder rebuilt from this one, has the same
    /// dimension and fingerprint (the same weights and settings).
    func requireSameModel(as built: EncoderDescriptor) throws {
        guard dimension == built.dimension else { throw EncoderError.invalidDimension(dimension) }
        guard fingerprint == built.fingerprint else {
            throw EncoderError.fingerprintMismatch(expected: built.fingerprint, found: fingerprint)
        }
    }
}
