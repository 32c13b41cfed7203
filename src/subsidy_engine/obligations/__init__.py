"""Duties the policy places on government bodies, checked against what happened."""
