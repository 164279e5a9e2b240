// mlgymctl-full: every verb of mlgymctl (the light mlgymctl hands over to it). Everything lives in MLGymCommands.
import MLGymCommands

await MLGymCtl.main()
