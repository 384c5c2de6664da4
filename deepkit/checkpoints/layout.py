"""The names of a checkpoint folder's files (the layout ``deepkit.checkpoints`` describes)."""

EPOCH_RECORD = "epoch.json"
FINISHED_RECORD = "finished.json"
EPOCHS = "epochs"
ARGUMENTS = "arguments.json"
LOCK = ".lock"
OWNER = "owner.json"
FINAL_FILES = ("final.weights.h5", "final.generators.json", "history.json", "results.json")
# The layout before the epoch records: Keras's in-place BackupAndRestore and logs.
OLD_LAYOUT = ("backup", "seed_states.json")
EPOCH_KINDS = ("weights", "generators", "history")
FINAL_KINDS = ("weights", "generators", "history", "results")
RESERVED = {EPOCH_RECORD, FINISHED_RECORD, EPOCHS, ARGUMENTS, LOCK, OWNER, *FINAL_FILES}
