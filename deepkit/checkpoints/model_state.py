"""A model's state in a checkpoint folder: its weights with its optimizer's state (Keras's
``save_weights`` of a compiled model), and its random generators' state (Dropout's
``SeedGenerator``, which ``save_weights`` leaves out), saved beside them."""

import warnings


def save_state(folder, model, stem):
    """Save ``model``'s state as ``stem.weights.h5`` and ``stem.generators.json``.

    Args:
        folder: the ``RecordFolder`` to write in.
        model: a built model.
        stem: the files' path in the folder without suffixes (``final``, ``epochs/3``).

    Returns:
        The files' record entries: ``{"weights": entry, "generators": entry}``.
    """
    return {
        "weights": folder.write_file(f"{stem}.weights.h5", model.save_weights),
        "generators": folder.write_json(
            f"{stem}.generators.json", [v.numpy().tolist() for v in _generators(model)]
        ),
    }


def load_state(folder, model, record):
    """Load the weights, optimizer state and generators that a checked ``record`` names.

    Args:
        folder: the ``RecordFolder`` holding the record.
        model: a model of the saved architecture, built; compiled for its
            optimizer's state to be loaded.
        record: the checked record (``RecordFolder.read_record``).

    Raises:
        InputError: if the saved weights or generators do not fit ``model``.
    """
    name = record["files"]["weights"]["name"]
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and not optimizer.built:
        optimizer.build(model.trainable_variables)  # else Keras skips its saved state
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.load_weights(str(folder.directory / name))
        skipped = [str(w.message) for w in caught if "Skipping" in str(w.message)]
        if skipped:
            raise ValueError(skipped[0])
    except (ValueError, KeyError, OSError) as error:
        detail = " ".join(line.strip() for line in str(error).splitlines() if line.strip())
        detail = detail if len(detail) <= 200 else detail[:200] + "..."
        folder.refuse_model(f"{name} does not fit this model ({detail})")
    states = folder.read_json(record, "generators")
    generators = _generators(model)
    if len(states) != len(generators):
        folder.refuse_model(
            f"{record['files']['generators']['name']} holds {len(states)} random "
            f"generators' states, the model has {len(generators)}"
        )
    for variable, state in zip(generators, states):
        variable.assign(state)


def _generators(model):
    """The model's variables that are not weights: its random generators' states."""
    weights = {id(v) for v in model.weights}
    return [v for v in model.variables if id(v) not in weights]
