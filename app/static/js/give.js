// Card gifts: mount Stripe's Payment Element and confirm the PaymentIntent. The server only
// records the gift when Stripe's signed webhook says it succeeded.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("payment-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.publishableKey);
  var message = document.getElementById("payment-message");
  var elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  var payment = elements.create("payment");
  payment.mount("#payment-element");
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    document.getElementById("pay-button").disabled = true;
    var result = await stripe.confirmPayment({
      elements: elements,
      confirmParams: { return_url: form.dataset.returnUrl }
    });
    if (result.error) {
      message.textContent = result.error.message || "The payment did not go through.";
      document.getElementById("pay-button").disabled = false;
    }
  });
});
