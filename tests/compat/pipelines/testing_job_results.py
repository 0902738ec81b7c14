"""A job of ops tested with `execute_in_process`, as Dagster's testing guide shows."""

import dagdeck as dg


class ScaleConfig(dg.Config):
    factor: int = 2


@dg.op
def load_numbers() -> list[int]:
    return [1, 2, 3]


@dg.op
def scale(config: ScaleConfig, numbers: list[int]) -> list[int]:
    return [n * config.factor for n in numbers]


@dg.op
def add_up(context: dg.OpExecutionContext, numbers: list[int]) -> int:
    context.log.info(f"adding {len(numbers)} numbers")
    return sum(numbers)


@dg.job
def numbers_job():
    add_up(scale(load_numbers()))


@dg.op(out=dg.DynamicOut())
def split_words():
    for word in ["alpha", "beta"]:
        yield dg.DynamicOutput(word, mapping_key=word)


@dg.op
def word_length(word: str) -> int:
    return len(word)


@dg.job
def words_job():
    split_words().map(word_length)


@dg.graph
def numbers_graph():
    return add_up(scale(load_numbers()))


defs = dg.Definitions(jobs=[numbers_job, words_job])
