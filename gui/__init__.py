"""SP Connect GUI: Qt widgets and models over core."""
