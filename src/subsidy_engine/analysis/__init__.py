"""Analysis for people asking "what if": counterfactual profiles, gaps, reforms, budget impact."""
