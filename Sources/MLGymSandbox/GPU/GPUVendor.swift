/// Whose GPU: decides which device nodes, environment variables and libraries a GPU needs.
public enum GPUVendor: String, Sendable, Hashable, Codable {
    case nvidia
    case amd
}
