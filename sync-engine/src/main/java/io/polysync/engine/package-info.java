package io.polysync.engine;
