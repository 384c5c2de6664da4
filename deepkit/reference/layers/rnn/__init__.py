"""The recurrent reference layers: SimpleRNN (recurrent.py, with the loop shared by all),
LSTM and GRU (gated.py), Bidirectional (bidirectional.py)."""

from deepkit.reference.layers.rnn.bidirectional import Bidirectional
from deepkit.reference.layers.rnn.gated import GRU, LSTM
from deepkit.reference.layers.rnn.recurrent import Recurrent, SimpleRNN

__all__ = ["GRU", "LSTM", "Bidirectional", "Recurrent", "SimpleRNN"]
