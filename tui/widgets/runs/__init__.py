"""The live view of a training run, shared by the runs list and the training labs:
``view.RunView`` (header, progress, numbers, plot, caption) over ``plot.RunPlot``."""
