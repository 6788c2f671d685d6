"""Scaling decisions shared by both platforms: which nodes may leave, and when."""
