"""Shipped checkpoints, one directory per neural task: <year>_<day>/part<N>/{params,meta.json}.

A package only so that the checkpoints travel inside the wheel; rebuild any of them
with `aocnn train YEAR DAY --part N`.
"""
