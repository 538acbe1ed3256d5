"""Training the cells, numpy only: an optimiser, the memory tasks, the loop.

    optim.py     clip_grad_norm (notebook 02) and Adam
    tasks.py     first_bit (notebook 04), the adding problem, the copy task and
                 counting (a^n b^n) (06), and each task's baseline loss
    loop.py      task_loss and train: a cell with a linear readout on a task
    counting.py  what a model trained to count predicts far beyond its training
                 range, and the state it counts with (06)
    tagging.py   the agreement task and a stacked, bidirectional tagger (09)
    seq2seq.py   the reversal task and an encoder-decoder trained with teacher
                 forcing (notebook 10)
    decoding.py  free-running greedy decoding and beam search (notebook 10)

A live loss curve for a notebook is utils.widgets.LiveLoss: pass it as `progress`.
"""

from . import decoding, seq2seq
from .counting import correct_up_to, count_run, split_model
from .loop import task_loss, train
from .optim import Adam, clip_grad_norm
from .tagging import agreement_task, tagger_loss, train_tagger
from .tasks import (
    COPY_LENGTH,
    COPY_SYMBOLS,
    IGNORE,
    TASKS,
    adding_problem,
    baseline,
    copy_task,
    counting_baseline,
    counting_sequences,
    counting_task,
    first_bit_task,
)

__all__ = [
    "COPY_LENGTH",
    "COPY_SYMBOLS",
    "IGNORE",
    "TASKS",
    "Adam",
    "adding_problem",
    "agreement_task",
    "baseline",
    "clip_grad_norm",
    "correct_up_to",
    "count_run",
    "copy_task",
    "decoding",
    "counting_baseline",
    "counting_sequences",
    "counting_task",
    "first_bit_task",
    "split_model",
    "tagger_loss",
    "seq2seq",
    "task_loss",
    "train",
    "train_tagger",
]
