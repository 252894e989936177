// Placeholder: replaced by the token-exchange quick start.
console.log('abmkit demo');
