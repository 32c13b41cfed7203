"""The Python backend: typed trees -> closures; one profile -> `Evaluation`, with its trace."""
