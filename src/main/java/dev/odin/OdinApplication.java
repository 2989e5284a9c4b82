package dev.odin;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class OdinApplication {
    public static void main(String[] args) {
        SpringApplication.run(OdinApplication.class, args);
    }
}
