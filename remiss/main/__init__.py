"""Pages that belong to no single area: the start page and the accessibility statement."""
