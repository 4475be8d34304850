"""Training: one catalogue of tasks and one engine that drives every run.

`tasks` says what each task needs (its data, its network, its batches, its loss and metric, its outcome);
`engine` trains any of them one step at a time with a per-run random state, caps, a slot and a stop;
`limits` holds every cap a caller may put on a run. The Training lab's pairs, the Gradient lab's live runs
and the `python -m core.train …` commands that make the bundled weights all go through the engine.
"""
