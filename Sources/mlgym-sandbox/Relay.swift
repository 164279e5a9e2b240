import Foundation
import Glibc
import MLGymSandbox

/// Connects this process's stdin/stdout/stderr to a process in a sandbox.
enum Relay {
    static func run(_ sandbox: Sandbox, argv: [String]) async throws -> ExitStatus {
        let process = try await sandbox.spawn(argv)
        guard let input = process.standardInput, let output = process.standardOutput, let errors = process.standardError else {
            return await process.wait()
        }
        let outputDone = copy(from: output, to: 1)
        let errorDone = copy(from: errors, to: 2)
        let inputThread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if n <= 0 { break }
                var offset = 0
                while offset < n {
                    let w = buffer[offset..<n].withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
                    if w <= 0 { close(input); return }
                    offset += w
                }
            }
            close(input)
        }
        inputThread.start()
        let status = await process.wait()
        await outputDone.value
        await errorDone.value
        return status
    }

    private static func copy(from source: Int32, to destination: Int32) -> Task<Void, Never> {
        Task.detached {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Thread {
                    var buffer = [UInt8](repeating: 0, count: 65536)
                    while true {
                        let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
                        if n <= 0 { break }
                        _ = buffer.withUnsafeBytes { write(destination, $0.baseAddress, n) }
                    }
                    close(source)
                    continuation.resume()
                }.start()
            }
        }
    }
}
