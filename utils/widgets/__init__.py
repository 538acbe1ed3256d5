"""Interactive explorers: sliders that drive figures redrawn in place.

One module per notebook holds that notebook's explorers, on a shared base:

    base.py                        Explorer (build once, blit, fast PNG) and controls
    frames.py                      text a line per FreeType call; the PNG writer
    nb00_start_here.py             activation_explorer
    nb01_vanilla_rnn.py            one_unit_rnn_explorer
    nb02_backprop_through_time.py  gradient_norm_explorer
    nb03_lstm.py                   gate_explorer, highway_explorer
    nb04_lstm_backward.py          forget_bias_explorer
    nb05_gru.py                    gru_gate_explorer, coupled_explorer
    nb06_lstm_vs_gru.py            results_explorer, jacobian_explorer
    nb07_char_language_model.py    sampler_explorer, text_activation_explorer
    nb08_lstm_ablation.py          ablation_explorer
    nb09_deeper_and_bidirectional.py  bidirectional_explorer
    nb10_sequence_to_sequence.py   decoding_explorer
    live_loss.py                   LiveLoss, the live loss curve (04, 06, 07)

A notebook shows one with a single line, ``utils.widgets.gate_explorer()``; every
name is available as ``utils.widgets.<name>``. How they redraw and how fast is in
docs/widgets.md.
"""

from .base import (
    GATE_PATTERNS,
    Explorer,
    corner_text,
    dropdown,
    gate_inputs,
    int_slider,
    slider,
    text_box,
)
from .live_loss import LiveLoss
from .nb00_start_here import ActivationExplorer, activation_explorer
from .nb01_vanilla_rnn import (
    PATTERNS,
    T_STEPS,
    OneUnitRNNExplorer,
    input_pattern,
    one_unit_rnn_explorer,
)
from .nb02_backprop_through_time import GradientNormExplorer, gradient_norm_explorer
from .nb03_lstm import GateExplorer, HighwayExplorer, gate_explorer, highway_explorer
from .nb04_lstm_backward import ForgetBiasExplorer, forget_bias_explorer
from .nb05_gru import (
    W_IN,
    W_REC,
    CoupledExplorer,
    GRUGateExplorer,
    coupled_explorer,
    gru_gate_explorer,
)
from .nb06_lstm_vs_gru import (
    EXPERIMENTS,
    MODEL_COLORS,
    MODEL_LABELS,
    SEED_STYLES,
    JacobianExplorer,
    ResultsExplorer,
    jacobian_explorer,
    jacobian_paths,
    results_explorer,
)
from .nb07_char_language_model import (
    SamplerExplorer,
    TextActivationExplorer,
    sampler_explorer,
    text_activation_explorer,
)
from .nb08_lstm_ablation import AblationExplorer, ablation_explorer
from .nb09_deeper_and_bidirectional import (
    BidirectionalExplorer,
    bidirectional_explorer,
)
from .nb10_sequence_to_sequence import DecodingExplorer, decoding_explorer

# Every explorer of the course, by name: the benchmark, the tests and the
# presentation page (present/explorers.ipynb) go through this list.
EXPLORERS = {
    "activation": activation_explorer,
    "one_unit_rnn": one_unit_rnn_explorer,
    "gradient_norm": gradient_norm_explorer,
    "gates": gate_explorer,
    "highway": highway_explorer,
    "forget_bias": forget_bias_explorer,
    "gru_gates": gru_gate_explorer,
    "coupled": coupled_explorer,
    "results": results_explorer,
    "jacobian": jacobian_explorer,
    "sampler": sampler_explorer,
    "text_activation": text_activation_explorer,
    "ablation": ablation_explorer,
    "bidirectional": bidirectional_explorer,
    "decoding": decoding_explorer,
}

__all__ = [
    "EXPERIMENTS",
    "EXPLORERS",
    "GATE_PATTERNS",
    "MODEL_COLORS",
    "MODEL_LABELS",
    "PATTERNS",
    "SEED_STYLES",
    "T_STEPS",
    "W_IN",
    "W_REC",
    "AblationExplorer",
    "ActivationExplorer",
    "BidirectionalExplorer",
    "CoupledExplorer",
    "DecodingExplorer",
    "Explorer",
    "ForgetBiasExplorer",
    "GRUGateExplorer",
    "GateExplorer",
    "GradientNormExplorer",
    "HighwayExplorer",
    "JacobianExplorer",
    "LiveLoss",
    "OneUnitRNNExplorer",
    "ResultsExplorer",
    "SamplerExplorer",
    "TextActivationExplorer",
    "ablation_explorer",
    "activation_explorer",
    "bidirectional_explorer",
    "corner_text",
    "coupled_explorer",
    "decoding_explorer",
    "dropdown",
    "forget_bias_explorer",
    "gate_explorer",
    "gate_inputs",
    "gradient_norm_explorer",
    "gru_gate_explorer",
    "highway_explorer",
    "input_pattern",
    "int_slider",
    "jacobian_explorer",
    "jacobian_paths",
    "one_unit_rnn_explorer",
    "results_explorer",
    "sampler_explorer",
    "slider",
    "text_activation_explorer",
    "text_box",
]
