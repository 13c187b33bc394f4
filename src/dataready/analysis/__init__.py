"""Pure algorithms: they take profiles, samples and catalogue facts and return findings."""
