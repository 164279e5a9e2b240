import Testing

@testable import MLGymACI

@Suite struct ACIEnvironmentTests {
    @Test func defaultsFollowMLGym() {
        let environment = ACIEnvironment.from(variables: ["HOME": "/home/agent"], currentDirectory: "/home/agent/workspace")
        #expect(environment.stateDirectory == "/home/agent/.mlgym")
        #expect(environment.workingDirectory == "/home/agent/workspace")
        #expect(environment.window == 1000)
        #expect(environment.overlap == 2)
        #expect(environment.python == "python3")
        #expect(environment.scrollWarningThreshold == 3)
    }

    @Test func variablesOverrideDefaults() {
        let environment = ACIEnvironment.from(
            variables: ["HOME": "/h", "MLGYM_ACI_STATE": "/run/aci", "WINDOW": "100", "OVERLAP": "5", "LAST_ACTION": "ls"],
            currentDirectory: "/w")
        #expect(environment.stateDirectory == "/run/aci")
        #expect(environment.window == 100)
        #expect(environment.overlap == 5)
        #expect(environment.lastAction == "ls")
    }

    @Test func invalidSizesFallBackToDefaults() {
        let environment = ACIEnvironment.from(variables: ["HOME": "/h", "WINDOW": "0", "OVERLAP": "lots"], currentDirectory: "/w")
        #expect(environment.window == 1000)
        #expect(environment.overlap == 2)
    }

    @Test func relativePathsResolveAgainstTheWorkingDirectory() {
        let environment = ACIEnvironment(stateDirectory: "/s", workingDirectory: "/home/agent/workspace")
        #expect(environment.absolute("train.py") == "/home/agent/workspace/train.py")
        #expect(environment.absolute("/etc/hosts") == "/etc/hosts")
    }
}
