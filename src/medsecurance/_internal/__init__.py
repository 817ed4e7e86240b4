"""Private helpers shared by the stages (I/O, YAML with locations, ids)."""
