"""Reports: parameterised notebooks executed with papermill and rendered to self-contained HTML."""
