// mlgymctl: the light client and the agent's in-sandbox commands (see MLGymTools.ToolEntry); every other verb
// runs in mlgymctl-full.
import MLGymTools

ToolEntry.main(arguments: CommandLine.arguments)
