import Foundation

/// Where Quiver looks for downloaded encoder models (the folder `tools/fetch-model` fills).
///
/// The models folder is `$QUIVER_MODEL_DIR` when set and non-empty, else
/// `$XDG_CACHE_HOME/quiver/models`, else `~/.cache/quiver/models`; each model lives in a
/// subfolder named after it.
public enum ModelLocation {
    /// The folder holding one subfolder per model.
    public static var modelsDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["QUIVER_MODEL_DIR"], !explicit.isEmpty {
            return URL(fileURLWithPath: explicit, isDirectory: true)
        }
        let cache: URL
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            cache = URL(fileURLWithPath: xdg, isDirectory: true)
        } else if let home = environment["HOME"], !home.isEmpty {
            cache = URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".cache", isDirectory: true)
        } else {
            cache = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache", isDirectory: true)
        }
        return cache.appendingPathComponent("quiver", isDirectory: true).appendingPathComponent("models", isDirectory: true)
    }

    /// The folder of all-MiniLM-L6-v2 (`model.safetensors`, `vocab.txt`, `config.json`, …).
    public static var miniLM: URL {
        modelsDirectory.appendingPathComponent(MiniLMEncoder.modelName, isDirectory: true)
    }

    /// The folder of multilingual-e5-small (`e5-small-q4.bin`).
    public static var multilingualE5Small: URL {
        modelsDirectory.appendingPathComponent(E5Encoder.modelName, isDirectory: true)
    }
}
