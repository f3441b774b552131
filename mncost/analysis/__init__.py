"""What mncost concludes from its counts and the published figures: the paper's audit
(:mod:`~mncost.analysis.reproduce`), the cross-check against PyTorch
(:mod:`~mncost.analysis.verify`), published results beside mncost's counts
(:mod:`~mncost.analysis.published`), the Pareto frontier (:mod:`~mncost.analysis.frontier`,
:mod:`~mncost.analysis.pareto`) and the one-layer comparison (:mod:`~mncost.analysis.layer`).

Analysis calls the cost engine (:func:`mncost.cost.result.count`); it never counts itself.
"""
