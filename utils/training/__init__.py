"""Training the cells, numpy only: an optimiser, the memory tasks, the loop.

    optim.py   clip_grad_norm (notebook 02) and Adam
    tasks.py   first_bit (notebook 04), the adding problem and the copy task (06),
               and each task's baseline loss
    loop.py    task_loss and train: a cell with a linear readout on a task
    tagging.py the agreement task and a stacked, bidirectional tagger (09)
    seq2seq.py the reversal task and an encoder-decoder trained with teacher
               forcing (notebook 10)
    decoding.py  free-running greedy decoding and beam search (notebook 10)

A live loss curve for a notebook is utils.widgets.LiveLoss: pass it as `progress`.
"""

from . import decoding, seq2seq
from .loop import task_loss, train
from .optim import Adam, clip_grad_norm
from .tagging import agreement_task, tagger_loss, train_tagger
from .tasks import (
    COPY_LENGTH,
    COPY_SYMBOLS,
    TASKS,
    adding_problem,
    baseline,
    copy_task,
    first_bit_task,
)

__all__ = [
    "COPY_LENGTH",
    "COPY_SYMBOLS",
    "TASKS",
    "Adam",
    "adding_problem",
    "agreement_task",
    "baseline",
    "clip_grad_norm",
    "copy_task",
    "decoding",
    "first_bit_task",
    "tagger_loss",
    "seq2seq",
    "task_loss",
    "train",
    "train_tagger",
]
