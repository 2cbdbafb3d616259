package io.polysync.bench;
