"""The tools around asv: its plugin (settings, point selection, samples) and the main job."""
