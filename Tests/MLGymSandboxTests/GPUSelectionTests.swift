import Foundation
import MLGymCore
import Testing

@testable import MLGymSandbox

@Suite struct GPUSelectionTests {
    @Test func noneAndAllParseInAnyCase() throws {
        #expect(try GPUSelection(parsing: "none") == .none)
        #expect(try GPUSelection(parsing: " ALL ") == .all)
    }

    @Test func listKeepsOrderAndDropsDuplicates() throws {
        #expect(try GPUSelection(parsing: "2, 0,2") == .devices(["2", "0"]))
    }

    @Test func uuidsBusIDsAndMIGFormsParse() throws {
        let selection = try GPUSelection(parsing: "GPU-8d6b0f3a-1c2d-4e5f-9a8b-7c6d5e4f3a2b,0000:3b:00.0,0:1:0,MIG-GPU-8d6b0f3a-1c2d-4e5f-9a8b-7c6d5e4f3a2b/1/0,nvidia:1,amd:0")
        let ids = try selection.deviceIDs()
        #expect(ids == [
            .uuid("GPU-8d6b0f3a-1c2d-4e5f-9a8b-7c6d5e4f3a2b"), .busID("0000:3b:00.0"),
            .migIndex(gpu: 0, gpuInstance: 1, computeInstance: 0),
            .migOfUUID(gpuUUID: "GPU-8d6b0f3a-1c2d-4e5f-9a8b-7c6d5e4f3a2b", gpuInstance: 1, computeInstance: 0),
            .vendorIndex(.nvidia, 1), .vendorIndex(.amd, 0),
        ])
    }

    @Test func nvidiaSMIBusIDIsNormalized() throws {
        #expect(try GPUDeviceID(parsing: "00000000:3B:00.0") == .busID("0000:3b:00.0"))
        #expect(try GPUDeviceID(parsing: "3b:00.0") == .busID("0000:3b:00.0"))
    }

    @Test func malformedEntriesAreRejectedWithTheFormsThatWork() {
        for text in ["", "0,,1", "gpu0", "-1", "all,0", "0:1", "MIG-GPU-8d6b0f3a/1"] {
            #expect(throws: MLGymError.self, "\(text)") { try GPUSelection(parsing: text) }
        }
        do {
            _ = try GPUSelection(parsing: "0,first")
            Issue.record("parsed 'first'")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("'first'"))
            #expect(error.message.contains("GPU-"))
        }
    }

    @Test func codesAsTheStringItParsesFrom() throws {
        let selections: [GPUSelection] = [.none, .all, .devices(["0", "GPU-8d6b0f3a-1c2d"])]
        let data = try JSONEncoder().encode(selections)
        #expect(String(decoding: data, as: UTF8.self) == #"["none","all","0,GPU-8d6b0f3a-1c2d"]"#)
        #expect(try JSONDecoder().decode([GPUSelection].self, from: data) == selections)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(GPUSelection.self, from: Data(#""x""#.utf8)) }
    }
}
