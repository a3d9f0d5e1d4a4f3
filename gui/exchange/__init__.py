"""File > Export… and File > Import…: choose a file, work off the GUI thread, preview."""
