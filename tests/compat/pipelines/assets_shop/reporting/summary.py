import dagdeck as dg


@dg.asset
def order_summary(cleaned_orders):
    return sum(cleaned_orders)
