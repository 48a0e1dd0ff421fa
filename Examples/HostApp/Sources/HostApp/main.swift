import Foundation
import Quiver

// Open (or create) a store in a temporary directory, add a few documents, search them.
let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("quiver-hostapp-\(getpid())")
defer { try? FileManager.default.removeItem(atPath: path) }

do {
    let store = try Store.open(at: path)
    try store.upsert([
        Document(id: "tea", text: "Brew green tea at 80 °C for two minutes.", metadata: ["category": "drink"]),
        Document(id: "noodles", text: "Spicy beef noodle soup with chili oil.", metadata: ["category": "recipe"]),
        Document(id: "shanghai", text: "上海外滩的夜景非常美丽。", metadata: ["city": "上海"]),
    ])
    for query in ["how to brew tea", "spicy noodle soup", "上海夜景"] {
        let best = try store.search(text: query, k: 1)
        guard let hit = best.first else {
            print("no result for \(query)")
            exit(1)
        }
        print("\(query) → \(hit.id) (score \(String(format: "%.3f", hit.score)))")
    }
    let expected = ["tea", "noodles", "shanghai"]
    let got = try ["how to brew tea", "spicy noodle soup", "上海夜景"].map { try store.search(text: $0, k: 1).first?.id }
    guard got == expected else {
        print("unexpected results: \(got)")
        exit(1)
    }
    print("HostApp: Quiver works as a dependency (\(try store.count()) documents).")
} catch {
    print("HostApp failed: \(error)")
    exit(1)
}
