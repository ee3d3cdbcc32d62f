"""Training of the opinion classifiers (needs scikit-learn and the shared data; never
imported at run time)."""
