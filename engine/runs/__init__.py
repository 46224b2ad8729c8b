from engine.runs.store import ENV_VAR, RunRecord, RunStore, default_root

__all__ = ["RunStore", "RunRecord", "default_root", "ENV_VAR"]
