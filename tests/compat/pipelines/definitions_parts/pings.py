import dagdeck as dg


@dg.op
def ping() -> str:
    return "pong"


@dg.job
def ping_job():
    ping()


@dg.sensor(job=ping_job)
def ping_sensor(context: dg.SensorEvaluationContext):
    return dg.SkipReason("nothing new")
