#!/usr/bin/env node
// Placeholder: the `abmkit-simulator` CLI.
console.log('abmkit-simulator');
