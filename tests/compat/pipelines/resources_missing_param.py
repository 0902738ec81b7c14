"""An op whose parameter is typed as a resource that the job does not provide."""

import dagdeck as dg


class SlackClient(dg.ConfigurableResource):
    channel: str

    def post(self, text: str) -> str:
        return f"#{self.channel}: {text}"


@dg.op
def announce(slack: SlackClient) -> str:
    return slack.post("deployed")


@dg.job
def announce_job():
    announce()


defs = dg.Definitions(jobs=[announce_job])
