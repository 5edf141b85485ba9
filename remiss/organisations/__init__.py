"""The register of bodies that can be invited to a round."""
