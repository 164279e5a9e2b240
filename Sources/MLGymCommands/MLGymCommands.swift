// MLGymCommands: the verbs of mlgymctl, one per file.
