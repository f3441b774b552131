"""One view per command: results in, a :class:`~mncost.present.model.Report` out."""
