def build_oversight_demo(*args, **kwargs):  # replaced below
    return None
