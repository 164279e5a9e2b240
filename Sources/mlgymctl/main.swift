// mlgymctl: the command line of mlgym. Everything lives in MLGymCommands; this only starts it.
import MLGymCommands

await MLGymCtl.main()
