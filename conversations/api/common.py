"""What the conversations app's endpoints share: the request body, and the customer or conversation
a path names (404 otherwise)."""

from conversations import selectors
from customers.models import Customer
from kdesk.errors import NotFound


def body_of(request):
    return request.data


def customer_or_404(org, pk):
    customer = Customer.objects.filter(org=org, pk=pk).first()
    if customer is None:
        raise NotFound("No customer with this id.")
    return customer


def conversation_or_404(org, pk):
    conversation = selectors.conversation_get(org=org, pk=pk)
    if conversation is None:
        raise NotFound("No conversation with this id.")
    return conversation
