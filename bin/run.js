#!/usr/bin/env node
// Entry point. Kept tiny: oclif loads only the command that runs, from the shipped manifest.
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
