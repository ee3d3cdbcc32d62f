"""The pages of petitions: ``public`` (under /petitions/) and ``staff`` (/petitions/staff/)."""
