// MLGymScore: performance profiles, AUP, rankings (see docs/scoring.md).
