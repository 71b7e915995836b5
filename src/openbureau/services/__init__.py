"""Use cases. Each public function is one transaction on a unit of work it opens and commits."""
